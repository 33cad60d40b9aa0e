// Test-wide defaults: quiet logs unless asked for.
process.env.LOG_LEVEL ??= "silent";
