print("piapi-compile: not built yet")
