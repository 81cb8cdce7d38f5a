from fusion.cli import main

raise SystemExit(main())
