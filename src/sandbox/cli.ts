// Placeholder: replaced by the sandbox (issue 3).
export async function sandboxMain(_args: string[]): Promise<number> {
  console.error('the sandbox is not built yet');
  return 3;
}
