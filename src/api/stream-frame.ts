// Old path, kept while branches that started before the layering refactor merge; new code imports src/model/stream-frame.ts.
export * from '../model/stream-frame.js';
