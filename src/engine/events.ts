// Old path, kept while branches that started before the layering refactor merge; new code imports src/model/events.ts.
export * from '../model/events.js';
