// The manager-tick flags and their readers belong to the manager-loop app; manager-tick and drive share them.
export { MANAGER_OPTIONS, actionConfig, managerFlags, renderTick } from '@agentpr/manager-loop-app';
