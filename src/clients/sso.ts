/**
 * OCM access tokens from Red Hat SSO: client_credentials or an offline (refresh) token. Access tokens live
 * about 15 minutes, so a long run refreshes them before they expire; concurrent callers share one refresh.
 */
import { registerSecretValue } from '../secret.js';
import type { Secret } from '../secret.js';
import { StartupError, RemoteError } from '../errors.js';
import type { HttpClient } from './http.js';
import { ssoToken } from './answers.js';

export type SsoCredentials = { clientId: string; clientSecret: Secret } | { offlineToken: Secret };

/** Refresh this long before the access token expires, so no request is sent with a token about to lapse. */
const REFRESH_MARGIN_MS = 60_000;

export class SsoSession {
  #accessToken: string | undefined;
  #expiresAt = 0;
  #pending: Promise<string> | undefined;

  constructor(
    private readonly http: HttpClient,
    private readonly credentials: SsoCredentials,
    /** Names the OCM environment in errors. */
    private readonly environment: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** One token request at a time: a burst of callers after expiry waits for the same answer. */
  #refresh(): Promise<string> {
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** A valid access token, fetched or refreshed when missing or about to expire. */
  async accessToken(): Promise<string> {
    if (this.#accessToken && this.now() < this.#expiresAt - REFRESH_MARGIN_MS) return this.#accessToken;
    return this.#refresh();
  }

  /** The API said 401: forget the token so the next call fetches a new one. */
  async invalidate(): Promise<void> {
    this.#accessToken = undefined;
    this.#expiresAt = 0;
    await this.#refresh();
  }

  async #fetch(): Promise<string> {
    const form: Record<string, string> =
      'offlineToken' in this.credentials
        ? {
            grant_type: 'refresh_token',
            client_id: 'cloud-services',
            refresh_token: this.credentials.offlineToken.reveal(),
          }
        : {
            grant_type: 'client_credentials',
            client_id: this.credentials.clientId,
            client_secret: this.credentials.clientSecret.reveal(),
          };
    let body: ReturnType<typeof ssoToken>;
    try {
      ({ body } = await this.http.request({
        operation: 'get access token',
        method: 'POST',
        path: '',
        form,
        // Asking for a token twice is harmless.
        idempotent: true,
        // An answer without access_token is retried, then a MalformedAnswerError naming the SSO call.
        answer: ssoToken,
      }));
    } catch (error) {
      if (error instanceof RemoteError && (error.status === 400 || error.isAuth)) {
        throw new StartupError(
          `OCM environment ${this.environment}: SSO refused the credentials (${error.message})`,
          'Check the OCM credentials in Vault (client id/secret or offline token) and the SSO URL.',
        );
      }
      throw error;
    }
    registerSecretValue(body.access_token);
    // The offline token stays valid and is used again; a rotated refresh token is only kept out of logs.
    if (body.refresh_token) registerSecretValue(body.refresh_token);
    this.#accessToken = body.access_token;
    this.#expiresAt = this.now() + (body.expires_in ?? 300) * 1000;
    return body.access_token;
  }
}

/** The SSO's OAuth error text (`error_description`), for error messages. */
export function oauthErrorMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const b = body as { error?: unknown; error_description?: unknown };
    if (typeof b.error_description === 'string') return b.error_description;
    if (typeof b.error === 'string') return b.error;
  }
  return undefined;
}
