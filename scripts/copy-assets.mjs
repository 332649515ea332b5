// Copies what the compiler does not: the SQL migrations, next to the compiled store code.
import { cp } from 'node:fs/promises';

await cp('src/store/migrations', 'dist/store/migrations', { recursive: true });
