// binary-parser ships typings, but its package.json "exports" map hides them from NodeNext
// resolution; this declares the part of its API the codecs use.
declare module 'binary-parser' {
  export class Parser {
    constructor();
    endianness(e: 'big' | 'little'): Parser;
    uint8(name: string): Parser;
    uint16(name: string): Parser;
    uint32(name: string): Parser;
    parse(buffer: Uint8Array): unknown;
  }
}
