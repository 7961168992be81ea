// Turns the stage's allowed Glue job names into job ARNs for the state machine role. CloudFormation cannot
// map over a list (Fn::Join and Fn::Sub take only literal templates), so the mapping happens at package time;
// partition, region and account stay CloudFormation pseudo parameters so that packaging needs no credentials.
module.exports = async ({ resolveVariable }) => {
  const names = await resolveVariable('self:custom.stage.glue.allowedJobNames');
  if (!Array.isArray(names) || names.length === 0) {
    throw new Error('config: glue.allowedJobNames must be a non-empty list of Glue job names');
  }
  return names.map((name) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:glue:\${AWS::Region}:\${AWS::AccountId}:job/${name}`,
  }));
};
