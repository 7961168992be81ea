// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks (Node 22, our Lambda runtime, has it).
import '../../local/polyfills';
