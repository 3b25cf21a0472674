// The `base45` package ships no types. Only the two functions the token codec uses are declared.
declare module 'base45' {
  /** RFC 9285 encoding of bytes (a string argument is read as UTF-8). */
  export function encode(input: Uint8Array | string): string;
  /** Decodes without validating the alphabet or value ranges (see `decodeBase45Strict`). */
  export function decode(input: string): Buffer;
}
