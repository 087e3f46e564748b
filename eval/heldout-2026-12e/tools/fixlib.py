def fix(p, rep):
    s=open(p).read()
    for a,b in rep:
        assert s.count(a) >= 1,(p,a); s=s.replace(a,b)
    open(p,'w').write(s)
