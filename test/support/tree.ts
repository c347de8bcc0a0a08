import * as fs from 'fs';
import * as path from 'path';

/** Every file and link under `dir` (recursively, links not followed): path → base64 bytes or `-> target`. */
export function treeOf(dir: string, skip: (relativePath: string) => boolean = () => false): Record<string, string> {
  const tree: Record<string, string> = {};
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const name = path.join(relative, entry.name);
      const full = path.join(dir, name);
      if (skip(name)) continue;
      if (entry.isSymbolicLink()) tree[name] = `-> ${fs.readlinkSync(full)}`;
      else if (entry.isDirectory()) walk(name);
      else tree[name] = fs.readFileSync(full, 'base64');
    }
  };
  walk('');
  return tree;
}
