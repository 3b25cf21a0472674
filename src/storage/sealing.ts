import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A sealed stored value: this prefix, then base64(iv ‖ ciphertext ‖ tag). Others are plain base64. */
const SEALED_PREFIX = 'kek1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_ENCRYPTION_KEY_BYTES = 32;

/** A stored value that cannot be opened: no key-encryption key, the wrong one, or altered bytes. */
export class SealingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealingError';
  }
}

/**
 * Signing keys and platform secrets at rest (P1: whoever holds them can sign codes).
 *
 * With a key-encryption key — 32 bytes kept outside the database, in a file the operator provides
 * (a secrets mount, a KMS-decrypted file) — every value is sealed with AES-256-GCM and bound to its
 * row (`context`, e.g. `signing_keys:<kid>:seed`), so a database dump or backup holds no usable key
 * and a value moved to another row does not open. Without one, values are stored as base64, as a
 * demo or a town's single machine may choose; the platform says so when it starts in production.
 * Values stored before a key-encryption key was configured are sealed at the next start
 * (`sealStoredValues`); sealed values never open without it.
 */
export class ValueSealer {
  constructor(private readonly kek: Buffer | null) {
    if (kek !== null && kek.length !== KEY_ENCRYPTION_KEY_BYTES) {
      throw new RangeError(`a key-encryption key is ${KEY_ENCRYPTION_KEY_BYTES} bytes`);
    }
  }

  /** Whether new values are sealed. */
  get sealing(): boolean {
    return this.kek !== null;
  }

  static isSealed(stored: string): boolean {
    return stored.startsWith(SEALED_PREFIX);
  }

  seal(value: Uint8Array, context: string): string {
    if (this.kek === null) return Buffer.from(value).toString('base64');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.kek, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(value), cipher.final()]);
    return SEALED_PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
  }

  open(stored: string, context: string): Buffer {
    if (!ValueSealer.isSealed(stored)) return Buffer.from(stored, 'base64');
    if (this.kek === null) {
      throw new SealingError(
        `${context} is sealed with a key-encryption key: set KEY_ENCRYPTION_KEY_FILE to the file holding it`,
      );
    }
    const bytes = Buffer.from(stored.slice(SEALED_PREFIX.length), 'base64');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new SealingError(`${context}: sealed value is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', this.kek, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new SealingError(
        `${context} does not open with this key-encryption key: it is the wrong key, or the value was altered`,
      );
    }
  }
}
