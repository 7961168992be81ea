// Created once per Lambda container and reused across invocations; domain code receives it as an argument.
import { SFNClient } from '@aws-sdk/client-sfn';

export const sfnClient = new SFNClient({});
