CREATE TABLE hosting_tests.counters (
    correlation_id uuid    PRIMARY KEY,
    version        integer NOT NULL,
    current_state  text    NOT NULL,
    data           jsonb   NOT NULL,
    total          integer NOT NULL
);
