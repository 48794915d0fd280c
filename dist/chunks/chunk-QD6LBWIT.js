import { createRequire as __dtpCreateRequire } from 'node:module';
import { fileURLToPath as __dtpFileURLToPath } from 'node:url';
import { dirname as __dtpDirname } from 'node:path';
const require = __dtpCreateRequire(import.meta.url);
const __filename = __dtpFileURLToPath(import.meta.url);
const __dirname = __dtpDirname(__filename);
import{inspect}from"node:util";var REDACTED="***",known=new Set,listeners=new Set,MIN_LENGTH=6;function registerSecretValue(value){if(!(value.length<MIN_LENGTH||known.has(value))){known.add(value);for(let listener of listeners)listener(value)}}function onSecretValue(listener){for(let value of known)listener(value);return listeners.add(listener),()=>listeners.delete(listener)}function redact(text){if(known.size===0||text.length<MIN_LENGTH)return text;let out=text;for(let value of known)out.includes(value)&&(out=out.split(value).join(REDACTED));return out}var Secret=class _Secret{#value;constructor(value,register=!0){this.#value=value,register&&registerSecretValue(value)}static plain(value){return new _Secret(value,!1)}reveal(){return this.#value}get length(){return this.#value.length}equals(other){return this.#value===other.#value}toString(){return"[secret]"}toJSON(){return"[secret]"}[inspect.custom](){return"[secret]"}};export{registerSecretValue,onSecretValue,redact,Secret};
//# sourceMappingURL=chunk-QD6LBWIT.js.map
