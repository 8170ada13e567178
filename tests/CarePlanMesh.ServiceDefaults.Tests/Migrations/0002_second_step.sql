CREATE TABLE hosting_tests.second_step (id integer PRIMARY KEY);
