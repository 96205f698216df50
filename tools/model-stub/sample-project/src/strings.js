/**
 * Turns text into a URL slug: lower case, runs of other characters become one "-".
 * @param {string} text
 * @returns {string}
 */
export function slugify(text) {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
