/* Given to the compiler as an in-memory header by tests/codegen. */
#define TEST_CONFIG_ANSWER 42
