// The value parsers every app shares live in @agentpr/app-kit; commands import them from here.
export { str, requireStr, flag, list, int, requireInt, num, choice } from '@agentpr/app-kit';
