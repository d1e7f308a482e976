import { loadNodeRuntime } from '@php-wasm/node'
import { PHP, setPhpIniEntries } from '@php-wasm/universal'

const php = new PHP(await loadNodeRuntime('8.3' as any, { emscriptenOptions: { processId: 1 } } as any))
await php.setSapiName(process.argv[2]!)
await setPhpIniEntries(php, {
  'opcache.enable': '1',
  'opcache.enable_cli': '1',
  'opcache.validate_timestamps': '1',
  'opcache.revalidate_freq': '0',
  'opcache.file_cache': '',
  'opcache.file_cache_only': '0',
  'opcache.memory_consumption': '128',
})
php.writeFile('/tmp/a.php', '<?php return 42;')
for (let i = 0; i < 3; i++) {
  const r = await php.run({
    code: `<?php $x = include '/tmp/a.php'; touch('/tmp/a.php', time() - 30); $s = function_exists('opcache_get_status') ? opcache_get_status(false) : false; echo json_encode([PHP_SAPI, $x, $s ? $s['opcache_enabled'] : 'no-status', $s ? $s['opcache_statistics']['num_cached_scripts'] : null, ini_get('opcache.enable_cli')]);`,
  })
  console.log(r.text, r.errors)
}
php.exit()
