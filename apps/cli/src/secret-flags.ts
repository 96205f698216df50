// Secret-flag redaction is shared by every app (@agentpr/app-kit).
export { SECRET_FLAGS, secretFlagValues } from '@agentpr/app-kit';
