import type { z } from 'zod'

/**
 * One entry of a backend's command catalogue: a name, a zod schema for its arguments and (as a type only) the
 * value a successful run returns.
 */
export interface CommandDefinition<Args extends z.ZodType = z.ZodType, Value = unknown> {
  /** Dotted command name, e.g. `wordpress.run-php`. */
  readonly name: string
  /** One sentence for humans and generated docs. */
  readonly description: string
  /** Schema of the arguments; `execute()` validates against it before dispatch. */
  readonly args: Args
  /** True when the command changes state (approvals in `on-write` mode apply to it). Default false. */
  readonly writes?: boolean
  /** Phantom field carrying the result value type. Never set at run time. */
  readonly __value?: Value
}

/** A backend's commands, keyed by name. */
export type CommandCatalogue = { readonly [name: string]: CommandDefinition }

/** Names of the commands in a catalogue. */
export type CommandName<C extends CommandCatalogue> = Extract<keyof C, string>

/** The argument type a caller passes for command `N` (the schema's input type). */
export type CommandArgs<C extends CommandCatalogue, N extends CommandName<C>> = z.input<C[N]['args']>

/** The value a successful run of command `N` returns. */
export type CommandValue<C extends CommandCatalogue, N extends CommandName<C>> =
  C[N] extends CommandDefinition<z.ZodType, infer V> ? V : unknown

/**
 * Declares one command. The value type is given explicitly; the argument type comes from the schema.
 *
 * @example
 * const echo = defineCommand<typeof EchoArgs, { text: string }>({ name: 'demo.echo', description: 'Echo text', args: EchoArgs })
 */
export function defineCommand<Args extends z.ZodType, Value>(definition: {
  name: string
  description: string
  args: Args
  writes?: boolean
}): CommandDefinition<Args, Value> {
  return Object.freeze({ ...definition })
}
