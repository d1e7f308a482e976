/**
 * One downloadable part of the PHPUnit toolkit: a GitHub tag archive whose extracted content is pinned.
 *
 * GitHub builds tag archives on demand and does not promise stable zip bytes, so the pin is not the zip's SHA-256
 * but the `treeDigest` (resources/resource-digest.ts) of what it extracts to — the tag's files after the
 * repository's `export-ignore` rules, with the zip's single top-level directory stripped. That content is fixed by
 * the tag's git tree, whatever the zip's compression or timestamps.
 */
export interface PhpunitRelease {
  /** The release's own version (`2.0.4`, `6.5.5`). */
  readonly version: string
  readonly url: string
  /** `sha256:<hex>`: the treeDigest of the extracted files, minus `omit`. */
  readonly treeSha256: string
  /** The git commit the tag named when the digest was computed, for whoever re-checks it. */
  readonly commit: string
  /**
   * Files of the archive that are neither verified nor written (paths relative to the stripped top directory).
   * Default none.
   */
  readonly omit?: readonly string[]
}

/** Where each downloadable part comes from; see {@link PHPUNIT_RELEASES}. */
export interface PhpunitReleases {
  /** The Yoast PHPUnit Polyfills. */
  readonly polyfills: PhpunitRelease
  /** The WordPress test library per WordPress `major.minor`. */
  readonly testLibrary: Readonly<Record<string, PhpunitRelease>>
}

const wpPhpunit = (version: string, commit: string, treeSha256: string): PhpunitRelease => ({
  version,
  url: `https://github.com/wp-phpunit/wp-phpunit/archive/refs/tags/${version}.zip`,
  treeSha256,
  commit,
  // A 4+ MiB fixture of WordPress core's own unzip tests (in the 6.4 and later tags). Its bytes could not be
  // obtained where these digests were computed, so it is not pinned, and what is not pinned is not written.
  omit: ['data/filesystem/archive-large.zip'],
})

/**
 * The pinned downloads. PHPUnit itself has none: its official release is a phar (phar.phpunit.de) whose bytes
 * codebox could not obtain to pin, so PHPUnit resolves from a path or the cache only (`codebox cache add
 * phpunit-9.6.N.phar`).
 *
 * The digests were computed from the git tags themselves: `git archive <tag>` of Yoast/PHPUnit-Polyfills and
 * wp-phpunit/wp-phpunit (which mirrors wordpress-develop's `tests/phpunit` per release), extracted, every file's
 * git blob id checked against the tag's tree, then `treeDigest` of the result.
 */
export const PHPUNIT_RELEASES: PhpunitReleases = {
  polyfills: {
    version: '2.0.4',
    url: 'https://github.com/Yoast/PHPUnit-Polyfills/archive/refs/tags/2.0.4.zip',
    treeSha256: 'sha256:0ffcac66f79540f64b4b2f84a3ef5c5d0986df1a531bae456a49dcd0510e1b11',
    commit: 'a0e3e9adecaa352697786cb29bb0f2fcc25f43f5',
  },
  testLibrary: {
    '6.0': wpPhpunit(
      '6.0.9',
      '88c786f68c6abe1061f9e40f5e8b299e41a50287',
      'sha256:35182eb6ed17609cf19d976f5185dd3e14f419b2d9150a74f001625a0d709169',
    ),
    '6.1': wpPhpunit(
      '6.1.7',
      '49521597fa525f762a50a4a6d22ed180839519fd',
      'sha256:309d51c0dfc930a3c9b79921e2e59f4ff25b2256012e85d317c4d62d14a1b386',
    ),
    '6.2': wpPhpunit(
      '6.2.6',
      '3b7ab767dde017dec9327cc024e9f26fd776a57b',
      'sha256:012bf5d797fd18a2d7b91b5f386c2ad3eafd397e8cb13b3a46917eda13f785d4',
    ),
    '6.3': wpPhpunit(
      '6.3.5',
      '7b08a9e6abe5dc010ccf9f0db629556579412fda',
      'sha256:bda3698c9ad272cc3cb3947bdf7f655725e2890ec5f29143bd7fba3d2d5ecdd1',
    ),
    '6.4': wpPhpunit(
      '6.4.5',
      'af2901ddf702c0a8fef5d107d85fcd398905648b',
      'sha256:0afab46bff1fc4f9863c021b658a2c6b555c4fe7595e1992cdd998b4c007b558',
    ),
    '6.5': wpPhpunit(
      '6.5.5',
      'ef2cb44c0d991ac0c3a7a3ed0d2d1cf3fe8d8f2f',
      'sha256:8cb794c83c873dcd0c4a38d5f7e4814818300f0471a11d16f693931404e4d2ee',
    ),
    '6.6': wpPhpunit(
      '6.6.2',
      '7a1d3a2150033a3d3e19de40aa5b2ef2fee36bc3',
      'sha256:0ded522672dd77b1e79f30e8b5c962a22f9066d39d6556922a581a634937fbc0',
    ),
    '6.7': wpPhpunit(
      '6.7.2',
      'e2bb06bacc92a8e9e405e83f56989e8ed9359db1',
      'sha256:255430ff8abd0b062426e445c197fe07387db8311acabed0be944d2aa5759471',
    ),
    '6.8': wpPhpunit(
      '6.8.1',
      'a33d328dab5a4a9ddf0c560bcadbabb58b5ee67f',
      'sha256:61f046e13e8dcdaa37977d2df885f27743fc97e99ff2672941b666bf464b4d5b',
    ),
  },
}
