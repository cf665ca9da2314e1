func.func @dim_11(%s: !scn.sites<11, [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]>) { return }
