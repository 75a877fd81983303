import type { ChatMessage } from './client.ts';

/** Prompts of the provider operations. The user's own text goes in verbatim (it is what gets answered). */
export const prompts = {
  extractStructuredUpdates(text: string, today: string): ChatMessage[] {
    return [
      {
        role: 'system',
        content: `Extract tasks (title, due_date as YYYY-MM-DD or null, priority 1-4), notes (text, tags) and entities (name, kind, confidence 0-1) from the user's thought. Today is ${today}. Answer with JSON only.`,
      },
      { role: 'user', content: text },
    ];
  },

  answerQuery(question: string, documents: { id: string; title: string; body: string }[]): ChatMessage[] {
    const context = documents.map((d) => `[${d.id}] ${d.title}\n${d.body.slice(0, 2_000)}`).join('\n\n');
    return [
      {
        role: 'system',
        content: 'Answer the question from the documents only. Cite the ids of the documents you used. Answer with JSON only.',
      },
      { role: 'user', content: `Documents:\n${context}\n\nQuestion: ${question}` },
    ];
  },

  rewritePlan(focus: string, date: string, tasks: { id: string; title: string; priority: number; due_date: string | null }[]): ChatMessage[] {
    const open = tasks.map((t) => `- [${t.id}] ${t.title} (priority ${t.priority}${t.due_date ? `, due ${t.due_date}` : ''})`).join('\n');
    return [
      { role: 'system', content: `Plan the day ${date}: ordered items with minutes and priority, linked to a task id when one fits. Answer with JSON only.` },
      { role: 'user', content: `Focus: ${focus || '(none)'}\nOpen tasks:\n${open || '(none)'}` },
    ];
  },
};
