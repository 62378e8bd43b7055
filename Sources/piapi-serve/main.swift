print("piapi-serve: not built yet")
