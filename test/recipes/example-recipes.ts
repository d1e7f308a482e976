import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { createResourceResolver } from '@codebox/backend-playground'

/** The examples/recipes directory. */
export const RECIPES_DIR = fileURLToPath(new URL('../../examples/recipes/', import.meta.url))

/** The `codebox` bin, run from source. */
export const CODEBOX_BIN = fileURLToPath(new URL('../../packages/cli/bin/codebox.mjs', import.meta.url))

/** Reads an example recipe by name (`healthy-stack`). */
export async function readExampleRecipe(name: string): Promise<unknown> {
  return JSON.parse(await readFile(`${RECIPES_DIR}${name}.recipe.json`, 'utf8')) as unknown
}

/** Whether WPGraphQL can be resolved without the network (it is in the codebox cache). */
export const wpGraphqlAvailable: boolean = await createResourceResolver({ download: false })
  .resolvePlugin('wp-graphql')
  .then(
    () => true,
    () => false,
  )

/** Whether wp-cli.phar can be resolved without the network (it is in the codebox cache). */
export const wpCliAvailable: boolean = await createResourceResolver({ download: false })
  .resolveTool('wp-cli')
  .then(
    () => true,
    () => false,
  )

/** Reads a JSON Lines file. */
export async function readJsonLines(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8')
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}
