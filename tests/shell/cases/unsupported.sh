f() { bash; }
