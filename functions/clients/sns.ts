// Created once per Lambda container and reused across invocations; domain code receives it as an argument.
import { SNSClient } from '@aws-sdk/client-sns';

export const snsClient = new SNSClient({});
