/** Injection token of the RemoteResolver (ProjectRemotesService) runners and the api use. */
export const REMOTE_RESOLVER = Symbol('REMOTE_RESOLVER');

/** HKDF purpose of the SecretBox sealing remote credentials (SECRETS_KEY). */
export const REMOTE_CREDENTIAL_PURPOSE = 'git-remote-credential';
