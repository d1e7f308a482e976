import { realpathSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import type { Recipe, ValidationIssue } from '@codebox/runtime-core'

function inside(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/** The path itself when it exists (symlinks followed), else as written: a link must not lead out of the root. */
function real(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/**
 * Checks the host paths a job's recipe names (mount sources, local plugin sources, a WordPress build `.zip`) against
 * the worker's `baseDir`: each must resolve inside it, symlinks followed. A job comes from whoever can write to
 * Redis, so without this a recipe could mount any file the worker can read. Without a `baseDir` every host path is
 * refused. Returns one issue per offending field, with its recipe path.
 */
export function hostPathIssues(recipe: Recipe, baseDir: string | undefined): ValidationIssue[] {
  const named: { path: string; source: string }[] = []
  for (const [index, mount] of (recipe.inputs?.mounts ?? []).entries()) {
    named.push({ path: `$.inputs.mounts[${index}].source`, source: mount.source })
  }
  for (const [index, plugin] of (recipe.inputs?.extra_plugins ?? []).entries()) {
    if (plugin.source !== undefined) {
      named.push({ path: `$.inputs.extra_plugins[${index}].source`, source: plugin.source })
    }
  }
  const wp = recipe.runtime?.wp
  if (wp?.endsWith('.zip')) named.push({ path: '$.runtime.wp', source: wp })
  if (named.length === 0) return []
  if (baseDir === undefined) {
    return named.map(({ path, source }) => ({
      path,
      message: `host path ${JSON.stringify(source)} refused: this worker allows no host paths (start it with a base directory, --base-dir, holding the files jobs may use)`,
    }))
  }
  const root = real(resolve(baseDir))
  return named
    .filter(({ source }) => !inside(root, real(resolve(root, source))))
    .map(({ path, source }) => ({
      path,
      message: `host path ${JSON.stringify(source)} is outside this worker's base directory ${root}; use a path inside it`,
    }))
}
