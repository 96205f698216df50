/** The CLI version, injected at build time from package.json. */
declare const __AGENTPR_VERSION__: string | undefined;
export const VERSION: string = typeof __AGENTPR_VERSION__ === 'string' ? __AGENTPR_VERSION__ : '0.0.0-dev';
