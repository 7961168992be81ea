// Neither emulator ships type definitions; these cover only what the local runtime calls.
declare module 'dynalite' {
  import type { Server } from 'node:http';
  function dynalite(options?: {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }): Server;
  export = dynalite;
}

declare module 'dynalite/db' {
  const db: { create(options?: object): object };
  export = db;
}

declare module 'dynalite/validations' {
  const validations: {
    toLowerFirst(name: string): string;
    checkTypes(data: object, types: object): object;
    checkValidations(data: object, types: object, custom: unknown, store: object): void;
  };
  export = validations;
}

declare module 's3rver' {
  import type { AddressInfo } from 'node:net';
  class S3rver {
    constructor(options: {
      address?: string;
      port?: number;
      silent?: boolean;
      directory: string;
      resetOnClose?: boolean;
      configureBuckets?: { name: string; configs?: Array<string | Buffer> }[];
    });
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
  export = S3rver;
}
