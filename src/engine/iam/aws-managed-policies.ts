// The AWS managed policies the workshop uses, with AWS's own documents, ids, versions and
// dates (AWS Managed Policy reference, docs.aws.amazon.com/aws-managed-policy). They exist
// in every account at arn:aws:iam::aws:policy/<name> and cannot be changed or deleted.
import type { PolicyRecord } from './model.js';

const date = (iso: string) => Date.parse(iso);

interface AwsManaged {
  name: string;
  id: string;
  description: string;
  version: string;
  created: string;
  updated: string;
  document: object;
}

const allow = (actions: string | string[]) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

const POLICIES: AwsManaged[] = [
  {
    name: 'AdministratorAccess',
    id: 'ANPAIWMBCKSKIEE64ZLYK',
    description: 'Provides full access to AWS services and resources.',
    version: 'v1',
    created: '2015-02-06T18:39:46Z',
    updated: '2015-02-06T18:39:46Z',
    document: allow('*'),
  },
  {
    name: 'AWSKeyManagementServicePowerUser',
    id: 'ANPAJNPP7PPPPMJRV2SA4',
    description: 'Provides access to AWS Key Management Service (KMS).',
    version: 'v2',
    created: '2015-02-06T18:40:40Z',
    updated: '2017-03-07T00:55:11Z',
    document: allow([
      'kms:CreateAlias', 'kms:CreateKey', 'kms:DeleteAlias', 'kms:Describe*', 'kms:GenerateRandom', 'kms:Get*', 'kms:List*',
      'kms:TagResource', 'kms:UntagResource', 'iam:ListGroups', 'iam:ListRoles', 'iam:ListUsers',
    ]),
  },
  {
    name: 'IAMReadOnlyAccess',
    id: 'ANPAJKSO7NDY4T57MWDSQ',
    description: 'Provides read only access to IAM via the AWS Management Console.',
    version: 'v4',
    created: '2015-02-06T18:40:39Z',
    updated: '2018-01-25T19:11:27Z',
    document: allow(['iam:GenerateCredentialReport', 'iam:GenerateServiceLastAccessedDetails', 'iam:Get*', 'iam:List*', 'iam:SimulateCustomPolicy', 'iam:SimulatePrincipalPolicy']),
  },
  {
    name: 'AmazonS3ReadOnlyAccess',
    id: 'ANPAIZTJ4DXE7G6AGAE6M',
    description: 'Provides read only access to all buckets via the AWS Management Console.',
    version: 'v3',
    created: '2015-02-06T18:40:59Z',
    updated: '2023-08-10T21:31:39Z',
    document: allow(['s3:Get*', 's3:List*', 's3:Describe*', 's3-object-lambda:Get*', 's3-object-lambda:List*']),
  },
];

export const AWS_MANAGED_PREFIX = 'arn:aws:iam::aws:policy/';
export const ADMINISTRATOR_ACCESS = `${AWS_MANAGED_PREFIX}AdministratorAccess`;

/** The AWS managed policies by ARN, as records like a customer's (AccountId 'aws'). */
export const AWS_MANAGED_POLICIES: ReadonlyMap<string, PolicyRecord> = new Map(
  POLICIES.map((p) => {
    const arn = AWS_MANAGED_PREFIX + p.name;
    const record: PolicyRecord = {
      AccountId: 'aws',
      PolicyName: p.name,
      PolicyId: p.id,
      Arn: arn,
      Path: '/',
      Description: p.description,
      CreateDate: date(p.created),
      UpdateDate: date(p.updated),
      DefaultVersionId: p.version,
      Document: JSON.stringify(p.document, null, 2),
    };
    return [arn, Object.freeze(record)];
  }),
);
