import type * as v from 'valibot';
import type { AssistantTool } from '../tool.js';

/**
 * A tool with its own argument type, as the catalogue's element type. The engine validates every call against
 * `tool.args` (when the model asks and again before a confirmed write runs), so the arguments `run` and `describe`
 * receive are always that schema's output: the one narrowing here rests on it.
 */
export function defineTool<S extends v.GenericSchema>(tool: AssistantTool<S>): AssistantTool {
  const typed = (args: unknown) => args as v.InferOutput<S>;
  const describe = tool.describe;
  return {
    ...tool,
    describe: describe ? (ctx, args) => describe(ctx, typed(args)) : undefined,
    run: (ctx, args, runtime) => tool.run(ctx, typed(args), runtime),
  };
}
