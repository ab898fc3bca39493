from chargebridge.cli import main

main()
