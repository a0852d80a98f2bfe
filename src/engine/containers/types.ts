// Old path, kept while branches that started before the layering refactor merge; new code imports src/model/container.ts.
export * from '../../model/container.js';
