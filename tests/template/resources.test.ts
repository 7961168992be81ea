// The stateful resources carry their security settings: encrypted, private, versioned, TLS only, recoverable.
import {
  type CfnTemplate,
  type PackagedService,
  packagedService,
  resource,
  resourcesOfType,
} from '../../local/package-service';
import {
  FUNCTIONS,
  PACKAGE_TIMEOUT_MS,
  STAGES,
  type PolicyStatement,
  type Stage,
  getAtt,
  props,
  stageConfig,
} from './template-queries';

const packaged = {} as Record<Stage, PackagedService>;

beforeAll(async () => {
  for (const stage of STAGES) packaged[stage] = await packagedService(stage);
}, 2 * PACKAGE_TIMEOUT_MS);

function bucketPolicyStatements(template: CfnTemplate, policyId: string): PolicyStatement[] {
  return (props(resource(template, policyId)).PolicyDocument as { Statement: PolicyStatement[] }).Statement;
}

const PUBLIC_ACCESS_BLOCKED = {
  BlockPublicAcls: true,
  BlockPublicPolicy: true,
  IgnorePublicAcls: true,
  RestrictPublicBuckets: true,
};

describe.each(STAGES)('%s: the config bucket', (stage) => {
  const bucket = () => props(resource(packaged[stage].template, 'ConfigBucket'));

  it('is named per stage and account unless the stage config names it', () => {
    expect(stageConfig(stage).configBucketName).toBeUndefined();
    expect(bucket().BucketName).toEqual({ 'Fn::Sub': `extract-pipeline-${stage}-config-\${AWS::AccountId}` });
  });

  it('is versioned, SSE-S3 encrypted, private and owner-enforced', () => {
    expect(bucket().VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket().BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket().PublicAccessBlockConfiguration).toEqual(PUBLIC_ACCESS_BLOCKED);
    expect(bucket().OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('sends its events to EventBridge and expires old config versions', () => {
    expect(bucket().NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
    const rules = (bucket().LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: expect.any(Object) }),
    );
  });

  it("expires each run's table jobs and Map results under the run items prefix after 30 days", () => {
    const rules = (bucket().LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({
        Status: 'Enabled',
        Prefix: stageConfig(stage).runItemsPrefix,
        ExpirationInDays: 30,
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      }),
    );
  });

  it('refuses plain HTTP and TLS older than 1.2', () => {
    const statements = bucketPolicyStatements(packaged[stage].template, 'ConfigBucketPolicy');
    const onBucketAndObjects = [getAtt('ConfigBucket'), { 'Fn::Sub': '${ConfigBucket.Arn}/*' }];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: onBucketAndObjects,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: onBucketAndObjects,
        Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
      }),
    );
  });
});

describe.each(STAGES)('%s: the deployment bucket', (stage) => {
  it('is versioned, encrypted, private and TLS only', () => {
    const { template } = packaged[stage];
    const bucket = props(resource(template, 'ServerlessDeploymentBucket'));
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.PublicAccessBlockConfiguration).toEqual(PUBLIC_ACCESS_BLOCKED);
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucketPolicyStatements(template, 'ServerlessDeploymentBucketPolicy')).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': false } } }),
    );
  });
});

describe.each(STAGES)('%s: the tracking table', (stage) => {
  const table = () => props(resource(packaged[stage].template, 'TrackingTable'));

  it('is on demand, KMS encrypted and point-in-time recoverable', () => {
    expect(table().BillingMode).toBe('PAY_PER_REQUEST');
    expect(table().SSESpecification).toEqual({ SSEEnabled: true });
    expect(table().PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table().TimeToLiveSpecification).toEqual({ AttributeName: 'expires_at', Enabled: true });
  });

  it('is keyed by pk/sk with the by-table and by-status indexes', () => {
    expect(table().KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const indexes = table().GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown }[];
    expect(indexes.map((index) => [index.IndexName, index.KeySchema])).toEqual([
      [
        'by-table',
        [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
      ],
      [
        'by-status',
        [
          { AttributeName: 'gsi2pk', KeyType: 'HASH' },
          { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
        ],
      ],
    ]);
    const attributes = table().AttributeDefinitions as { AttributeName: string; AttributeType: string }[];
    expect(attributes.every((a) => a.AttributeType === 'S')).toBe(true);
    expect(attributes.map((a) => a.AttributeName).sort()).toEqual([
      'gsi1pk',
      'gsi1sk',
      'gsi2pk',
      'gsi2sk',
      'pk',
      'sk',
    ]);
  });
});

describe('deletion safety', () => {
  it('protects and retains prod data, and lets dev be torn down', () => {
    const protection = (stage: Stage) =>
      props(resource(packaged[stage].template, 'TrackingTable')).DeletionProtectionEnabled;
    expect([protection('dev'), protection('prod')]).toEqual([false, true]);
    for (const id of ['TrackingTable', 'ConfigBucket']) {
      expect(resource(packaged.dev.template, id)).toMatchObject({
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
      });
      expect(resource(packaged.prod.template, id)).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
  });
});

describe.each(STAGES)('%s: alarms', (stage) => {
  const alarms = () =>
    Object.values(resourcesOfType(packaged[stage].template, 'AWS::CloudWatch::Alarm')).map(props);

  it('notify a topic encrypted with a key CloudWatch may use', () => {
    const { template } = packaged[stage];
    expect(props(resource(template, 'AlarmTopic')).KmsMasterKeyId).toEqual({ Ref: 'AlarmTopicKey' });
    const key = props(resource(template, 'AlarmTopicKey'));
    expect(key.EnableKeyRotation).toBe(true);
    expect((key.KeyPolicy as { Statement: PolicyStatement[] }).Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
    for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
  });

  it('fire on the first failed or timed-out execution', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      expect(alarms()).toContainEqual(
        expect.objectContaining({
          Namespace: 'AWS/States',
          MetricName: metric,
          Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: 'ExtractPipelineStateMachine' } }],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        }),
      );
    }
  });

  it('fire on any error or throttle of each function and on any dead-lettered upload', () => {
    for (const id of Object.values(FUNCTIONS)) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(alarms()).toContainEqual(
          expect.objectContaining({
            Namespace: 'AWS/Lambda',
            MetricName: metric,
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${id}LambdaFunction` } }],
            Threshold: 1,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          }),
        );
      }
    }
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
      }),
    );
  });

  it('mail the stage alarm address when the config has one', () => {
    const { template } = packaged[stage];
    const email = stageConfig(stage).alarmEmail;
    const parameters = (template as { Parameters?: Record<string, { Default?: string }> }).Parameters;
    expect(parameters?.AlarmEmail?.Default).toBe(email ?? '');
    expect(template.Conditions?.HasAlarmEmail).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }],
    });
    expect(resource(template, 'AlarmEmailSubscription')).toMatchObject({
      Condition: 'HasAlarmEmail',
      Properties: { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } },
    });
  });
});

describe('alarm email', () => {
  it('is set in prod and absent in dev', () => {
    expect(stageConfig('prod').alarmEmail).toBe('data-platform-alerts@example.com');
    expect(stageConfig('dev').alarmEmail).toBeUndefined();
  });
});

describe.each(STAGES)('%s: the upload trigger dead-letter queue', (stage) => {
  it('is encrypted and accepts messages only from the upload rule', () => {
    const { template } = packaged[stage];
    expect(props(resource(template, 'UploadTriggerDeadLetterQueue')).SqsManagedSseEnabled).toBe(true);
    const statements = (
      props(resource(template, 'UploadTriggerDeadLetterQueuePolicy')).PolicyDocument as {
        Statement: PolicyStatement[];
      }
    ).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: {
          ArnEquals: {
            'aws:SourceArn': {
              'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/extract-pipeline-${stage}-config-uploaded`,
            },
          },
        },
      }),
    );
  });
});
