/** One candidate fix an agent proposed: the new body of `word_count_of()`. */
export interface Candidate {
  readonly name: string
  readonly idea: string
  readonly body: string
}

/** Three candidate patches of `word_count_of()`, as an agent might propose them. */
export const CANDIDATES: readonly Candidate[] = [
  {
    name: 'trim-explode',
    idea: 'trim the text first (and drops a parenthesis: a parse error)',
    body: "return count(explode(' ', trim($text));",
  },
  {
    name: 'str-word-count',
    idea: "use PHP's str_word_count()",
    body: 'return str_word_count($text);',
  },
  {
    name: 'preg-split',
    idea: 'split on any run of whitespace',
    body: "return count(preg_split('/\\s+/u', trim($text), -1, PREG_SPLIT_NO_EMPTY));",
  },
]

/** What a correct `word_count_of()` returns: the probes every candidate is scored on. */
export const PROBES: readonly { readonly text: string; readonly words: number }[] = [
  { text: 'one two three', words: 3 },
  { text: 'one  two', words: 2 },
  { text: ' leading and trailing ', words: 3 },
  { text: 'tabs\tand\nnewlines', words: 3 },
  { text: '', words: 0 },
  { text: '3 apples', words: 2 },
]
