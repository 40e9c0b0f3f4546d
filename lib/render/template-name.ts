/** Letters, digits, `_`, `-`, `.` and `/`: no `%`, `\`, `:` or NUL can slip through. */
const TEMPLATE_CHARS = /^[A-Za-z0-9_./-]{1,200}$/;

/** Why `name` may not name an item template, or undefined when it may. */
export function templateNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'a template name is required';
  if (!TEMPLATE_CHARS.test(name)) return 'only letters, digits and _ . / - are allowed';
  if (!name.includes('pluto_rt')) return 'the name must contain "pluto_rt"';
  if (name.startsWith('/')) return 'absolute paths are not allowed';
  if (name.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return 'empty, "." and ".." path segments are not allowed';
  }
  return undefined;
}
