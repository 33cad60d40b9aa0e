/**
 * Per-call prompt rendering. Variables are written `{name}` or `{{name}}`; a reference with no
 * value is left exactly as written, so a typo stays visible instead of becoming an empty string.
 */

const REFERENCE = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}|\{([A-Za-z_][\w.-]*)\}/g;

export function interpolate(template: string, variables: Readonly<Record<string, string>>): string {
  return template.replace(REFERENCE, (whole, doubled: string | undefined, single: string | undefined) => {
    const name = (doubled ?? single)!;
    return Object.hasOwn(variables, name) ? variables[name]! : whole;
  });
}

/** The system prompt a call runs with: the persona, then the task instructions. */
export function renderSystemPrompt(persona: string, instructions: string): string {
  return [persona.trim(), instructions.trim()].filter(Boolean).join("\n\n");
}
