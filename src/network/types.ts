// Old path, kept while branches that started before the layering refactor merge; new code imports src/model/network.ts.
export * from '../model/network.js';
