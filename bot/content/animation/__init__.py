"""Animations v2: a 3D figure posed by contacts and a few key angles, checked, rendered, put on sheets.

skeleton (bones and forward kinematics), ik (two-bone leg solver), poses (the pose file format, its frames),
check (the anatomy and timing rules), render (shaded-capsule GIFs), sheet (review PNGs).
"""
