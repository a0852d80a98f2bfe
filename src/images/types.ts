// Old path, kept while branches that started before the layering refactor merge; new code imports src/model/image.ts.
export * from '../model/image.js';
