/** Text fixtures the specs write themselves. */

/** A few KB of text in a style the pre-training corpus never had. */
export function recipes(n: number): string {
  const fruit = ['apples', 'pears', 'plums', 'cherries', 'figs', 'dates'];
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) {
    lines.push(
      `Recipe ${i}: mix ${(i % 4) + 1} cups of flour with ${(i % 3) + 2} eggs and ${fruit[i % fruit.length]}, then bake for ${20 + (i % 5) * 5} minutes.`,
    );
  }
  return lines.join('\n');
}
