/** The example's slow work: one row of an import. */
export async function importRow(row: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, row % 10 === 0 ? 20 : 1));
}
