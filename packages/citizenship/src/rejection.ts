// Placeholder: filled in by the issue-17 work on this module.
export {};
