// How IAM shows its entities on the wire: a user, a role, an access key, a managed policy.
// Policy documents go out URL-encoded, as IAM returns them (the AWS CLI decodes them; the SDKs do not).
import type { AccessKeyRecord, PolicyRecord, RoleRecord, Tag, UserRecord } from './model.js';

export const encodedDocument = (document: string) => encodeURIComponent(document);

/** Tags are shown by CreateUser/GetUser and CreateRole/GetRole, not by the lists; none, no member. */
const tagsShape = (tags: Tag[] | undefined) => (tags?.length ? tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined);

export const userShape = (u: UserRecord, withTags = false) => ({
  Path: u.Path,
  UserName: u.UserName,
  UserId: u.UserId,
  Arn: u.Arn,
  CreateDate: new Date(u.CreateDate),
  Tags: withTags ? tagsShape(u.Tags) : undefined,
});

export const roleShape = (r: RoleRecord, withTags = false) => ({
  Path: r.Path,
  RoleName: r.RoleName,
  RoleId: r.RoleId,
  Arn: r.Arn,
  CreateDate: new Date(r.CreateDate),
  AssumeRolePolicyDocument: encodedDocument(r.AssumeRolePolicyDocument),
  Description: r.Description,
  MaxSessionDuration: r.MaxSessionDuration,
  Tags: withTags ? tagsShape(r.Tags) : undefined,
});

export const accessKeyMetadata = (k: AccessKeyRecord) => ({ UserName: k.UserName, AccessKeyId: k.AccessKeyId, Status: k.Status, CreateDate: new Date(k.CreateDate) });

export const policyShape = (p: PolicyRecord, attachmentCount: number) => ({
  PolicyName: p.PolicyName,
  PolicyId: p.PolicyId,
  Arn: p.Arn,
  Path: p.Path,
  DefaultVersionId: p.DefaultVersionId,
  AttachmentCount: attachmentCount,
  PermissionsBoundaryUsageCount: 0,
  IsAttachable: true,
  Description: p.Description,
  CreateDate: new Date(p.CreateDate),
  UpdateDate: new Date(p.UpdateDate),
});

export const byName = <T>(name: (t: T) => string) => (a: T, b: T) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);
