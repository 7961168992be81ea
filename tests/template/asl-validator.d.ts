// asl-validator 4 ships no type definitions; this covers the call the template tests make.
declare module 'asl-validator' {
  interface AslValidationError {
    'Error code': string;
    Message: string;
  }
  interface AslValidationResult {
    isValid: boolean;
    errors: AslValidationError[];
    errorsText(separator?: string): string;
  }
  function aslValidator(
    definition: object,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): AslValidationResult;
  export = aslValidator;
}
