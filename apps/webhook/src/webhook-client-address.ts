/**
 * The address the webhook server limits a request by: the socket's peer, or the `X-Real-IP` of a trusted proxy
 * (see `clientAddressBehindProxy` in @agentpr/app-kit/client-address, which the dashboard shares).
 *
 * @example
 * webhookClientAddress('127.0.0.1', '203.0.113.9', ['127.0.0.1']); // '203.0.113.9'
 */
export { clientAddressBehindProxy as webhookClientAddress } from '@agentpr/app-kit/client-address';
